/**
 * A CDR's numbers from OCPP readings: the session interval (StartTransaction to StopTransaction),
 * the charging interval (while the energy register rose) and the energy in kWh.
 */

/** One reading of the energy register, in Wh, at a time (ms since epoch). */
export interface EnergyReading { at: number; wh: number }

export interface CdrFigures {
  sessionStart: number;
  sessionStop: number;
  /** Undefined when no energy flowed. */
  chargingStart: number | undefined;
  chargingStop: number | undefined;
  kWh: number;
}

/**
 * Computes the figures of one transaction. `readings` are MeterValues samples in any order;
 * meterStart/meterStop are the registers of Start/StopTransaction. Charging begins at the last
 * reading before the register first rose and ends at the first reading holding its final value,
 * the tightest bounds the samples prove. A register that goes backwards (a meter swap or a
 * charger bug) never yields negative energy.
 * Example: `cdrFigures({ start, stop, meterStart: 1000, meterStop: 13500, readings: [] }).kWh === 12.5`.
 */
export function cdrFigures(t: { start: number; stop: number; meterStart: number; meterStop: number; readings: readonly EnergyReading[] }): CdrFigures {
  const points: EnergyReading[] = [
    { at: t.start, wh: t.meterStart },
    ...t.readings.filter((r) => r.at >= t.start && r.at <= t.stop && Number.isFinite(r.wh)).sort((a, b) => a.at - b.at),
    { at: t.stop, wh: t.meterStop },
  ];
  const wh = Math.max(0, t.meterStop - t.meterStart);
  const kWh = Math.round(wh) / 1000;
  let chargingStart: number | undefined;
  let chargingStop: number | undefined;
  if (wh > 0) {
    for (let i = 1; i < points.length; i++) {
      if (points[i]!.wh > points[i - 1]!.wh) {
        chargingStart ??= points[i - 1]!.at;
        chargingStop = points[i]!.at;
      }
    }
  }
  return { sessionStart: t.start, sessionStop: t.stop, chargingStart, chargingStop, kWh };
}

/**
 * Reads the energy register (Wh) from one OCPP MeterValue's sampledValue list: the
 * Energy.Active.Import.Register measurand (the default when none is named), in Wh or kWh,
 * outlet-wide (no phase). Undefined when the sample carries none.
 * Example: `registerWh([{ value: '12.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register' }]) === 12500`.
 */
export function registerWh(sampled: ReadonlyArray<{ value: string; measurand?: string; unit?: string; phase?: string; context?: string }>): number | undefined {
  for (const s of sampled) {
    if ((s.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register' || s.phase) continue;
    const n = Number(s.value);
    if (!Number.isFinite(n)) continue;
    return s.unit === 'kWh' ? n * 1000 : n;
  }
  return undefined;
}
