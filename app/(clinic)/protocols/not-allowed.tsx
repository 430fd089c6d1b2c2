/** Shown instead of an administrator-only page; the server refuses the actions anyway. */
export function NotAllowed() {
  return (
    <div className="card" role="alert">
      <h1 className="text-xl font-semibold">Not available for your role</h1>
      <p className="text-slate-600">Only a clinic administrator can do this.</p>
    </div>
  );
}
