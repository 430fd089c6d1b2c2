// The pure clinical core: plain values in, plain values out (STYLE.md "Pure domain core").
export * from "./units";
export * from "./limits";
export * from "./dose";
export * from "./protocol";
export * from "./protocol-catalog";
export * from "./flags";
export * from "./vitals";
export * from "./side-effects";
export * from "./pain";
export * from "./downsample";
export * from "./guards";
export * from "./vitals-schedule";
export * from "./session-flags";
