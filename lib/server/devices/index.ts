// Bedside monitors over HL7 v2 / MLLP (docs/decisions/0021-monitor-vitals-over-hl7.md).
export { addDevice, changeDevice, createDevice, findClinicDevices, updateDevice, deviceDto, type ClinicDevices, type DeviceDto } from "./admin";
export { acceptDeviceVitals, rejectDeviceVitals } from "./readings";
