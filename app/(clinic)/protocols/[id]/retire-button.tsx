"use client";
import { useRouter } from "next/navigation";
import { useMutation } from "@/app/_components/data/use-mutation";

export function RetireProtocolButton({ protocolId, name }: { protocolId: string; name: string }) {
  const router = useRouter();
  const { submit, pending, formError } = useMutation();
  async function retire() {
    if (!window.confirm(`Retire ${name}? No new series can be ordered on it; existing series continue on their version.`)) return;
    const res = await submit(`/api/protocols/${protocolId}/retire`, {});
    if (res?.ok) router.refresh();
  }
  return (
    <span>
      <button type="button" className="btn-secondary" onClick={() => void retire()} disabled={pending}>Retire protocol</button>
      <span role="alert" className="field-error">{formError}</span>
    </span>
  );
}
