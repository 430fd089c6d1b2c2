#!/usr/bin/env bash
# Rewrites citations of the clinical brief from `DOMAIN.md` (a file that was never in the
# repository) to `docs/clinical-brief.md`, whose section headings are the same. Idempotent:
# once no `DOMAIN.md` is left, a second run changes nothing. Prints the files it changed.
#   bash scripts/cite-brief.sh            rewrite every tracked file
#   bash scripts/cite-brief.sh FILE...    rewrite only these files
# A few citations quote a phrase or a sub-part rather than a section heading; they are pointed
# at the section that holds it first, then every remaining `DOMAIN.md` becomes the new path.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git grep -l -F 'DOMAIN.md' -- . ':!docs/clinical-brief.md' ':!scripts/cite-brief.sh' || true)
fi

changed=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  grep -q -F 'DOMAIN.md' "$f" || continue
  sed -i \
    -e 's|DOMAIN\.md "Physician"|docs/clinical-brief.md "Who uses it"|g' \
    -e 's|DOMAIN\.md "Also show mg/h"|docs/clinical-brief.md "Words": also show mg/h|g' \
    -e 's|DOMAIN\.md "Total delivered dose|docs/clinical-brief.md "Words": "Total delivered dose|g' \
    -e 's|DOMAIN\.md "a rate at or above 1 mg/kg/h"|docs/clinical-brief.md "Reading the ranges as limits": a rate at or above 1 mg/kg/h|g' \
    -e 's|DOMAIN\.md|docs/clinical-brief.md|g' \
    "$f"
  echo "$f"
  changed=$((changed + 1))
done
echo "cite-brief: $changed file(s) rewritten" >&2
