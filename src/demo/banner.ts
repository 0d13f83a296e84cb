/** The text `oioi demo` prints once everything runs: where things are, the keys, what to try. */
import { curlLine, type Example } from './curls.js';
import type { Driver } from './oem.js';

export interface BannerInput {
  hubUrl: string;
  db: string;
  temporary: boolean;
  stations: number;
  connectors: number;
  cities: number;
  statusIntervalMs: number;
  sessionMs: number;
  cpo: { apiKey: string; partnerIdentifier: string; endpoint: string };
  oem: { apiKey: string; partnerIdentifier: string; endpoint: string; prefix: string; driver: Driver; whitelist: string[] };
  /** The operator dashboard and its login, when the hub serves it. */
  dashboard?: { url: string; name: string; password: string };
  /** A driver account of the hub itself, when it could be added. */
  hubAccount?: Driver;
  examples: Example[];
}

/** The banner; its last line is always `oioi demo ready` (tests and scripts wait for it). */
export function banner(b: BannerInput): string {
  const lines = [
    'oioi demo: a hub with a simulated CPO and a simulated OEM',
    '',
    `hub          ${b.hubUrl}`,
    ...(b.dashboard ? [`dashboard    ${b.dashboard.url}  (log in as ${b.dashboard.name}, password ${b.dashboard.password})`] : []),
    `database     ${b.db}${b.temporary ? '  (temporary: removed on exit)' : ''}`,
    `stations     ${b.stations} around ${b.cities} German cities, ${b.connectors} connectors; a few change status every ${b.statusIntervalMs} ms`,
    '',
    `Demo CPO     roles cpo; operator id DE*DMO; its own OIOI endpoint ${b.cpo.endpoint}`,
    `             answers remote start/stop and reservations; posts the CDR ${Math.round(b.sessionMs / 1000)} s after a remote start`,
    `  API key              ${b.cpo.apiKey}`,
    `  partner identifier   ${b.cpo.partnerIdentifier}`,
    `Demo OEM     roles oem,emp; contracts ${b.oem.prefix}*…; receives CDRs at ${b.oem.endpoint}`,
    `  API key              ${b.oem.apiKey}`,
    `  partner identifier   ${b.oem.partnerIdentifier}`,
    `  a driver             EVCO ID ${b.oem.driver.evcoId}, RFID card ${b.oem.driver.uid}`,
    `  offline whitelist    ${b.oem.whitelist.join(', ')}`,
    ...(b.hubAccount ? [`Hub account  the hub's own driver (oioi account): EVCO ID ${b.hubAccount.evcoId}, RFID card ${b.hubAccount.uid}`] : []),
    '',
    'Try these in another terminal (one command per line):',
  ];
  b.examples.forEach((e, i) => lines.push('', `# ${i + 1}. ${e.title}`, curlLine(e)));
  lines.push('', 'What the simulated partners do is logged on stderr. Ctrl+C stops the demo.', 'oioi demo ready');
  return lines.join('\n') + '\n';
}
