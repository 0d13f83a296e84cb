/**
 * Tariffs the hub operator sets (`oioi tariff set`): per hub station id, or per EVSE key (all
 * connectors with that EVSE ID). A connector's own tariff wins over its station's.
 */
export const sql = `
CREATE TABLE tariffs (
  scope TEXT NOT NULL CHECK (scope IN ('station','connector')),
  target TEXT NOT NULL,                -- hub station id (decimal) or EVSE key
  tariff TEXT NOT NULL,                -- JSON of the OCPI-style tariff object
  updated_at INTEGER NOT NULL,         -- ms since epoch
  PRIMARY KEY (scope, target)
);
`;
