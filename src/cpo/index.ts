/** The OCPP 1.6J gateway (`oioi cpo`): chargers in, OIOI to the hub out. */
export { startCpoGateway, type CpoGateway, type CpoGatewayOptions } from './gateway.js';
export { loadStations, parseStations, stationOf, StationsFileError, type StationsConfig } from './stations-file.js';
export { oioiStatus } from './status.js';
export { cdrFigures, registerWh } from './energy.js';
