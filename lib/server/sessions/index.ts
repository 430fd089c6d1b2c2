// The session services, split by concern. Routes, pages and tests import from here.
export { effectiveRows, sessionTotals } from "@/lib/domain/charting";
export { chartDoseEvent, chartVitals, recordPain, recordSideEffect, retractEntry, type RetractableKind } from "./charting";
export { getSessionChart, type SessionChart } from "./chart-read";
export { doseEventDto, flagDto, painDto, sideEffectDto, vitalsDto, type FlagDto } from "./dto";
export { acknowledgeFlags } from "./flag-acknowledgement";
export { addAddendum, completeSession, signSession, startSession } from "./lifecycle";
export { lockSessionFlags, reconcileSessionFlags, SYSTEM_ACTOR_ID, type ReconcileActor, type SystemActor } from "./flag-reconcile";
export { moveOpenedAt } from "./late-documentation";
