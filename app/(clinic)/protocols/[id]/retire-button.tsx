"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { postJson } from "@/app/_components/api";

export function RetireProtocolButton({ protocolId, name }: { protocolId: string; name: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function retire() {
    if (!window.confirm(`Retire ${name}? No new series can be ordered on it; existing series continue on their version.`)) return;
    setPending(true);
    const res = await postJson(`/api/protocols/${protocolId}/retire`, {}, { signedOut: "redirect" });
    setPending(false);
    if (!res.ok) return setError(res.error.message);
    router.refresh();
  }
  return (
    <span>
      <button type="button" className="btn-secondary" onClick={retire} disabled={pending}>Retire protocol</button>
      <span role="alert" className="field-error">{error}</span>
    </span>
  );
}
