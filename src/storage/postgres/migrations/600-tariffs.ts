/** Operator tariffs, mirroring sqlite/migrations/600. */
export const sql = `
CREATE TABLE tariffs (
  scope TEXT NOT NULL CHECK (scope IN ('station','connector')),
  target TEXT NOT NULL,
  tariff TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (scope, target)
);
`;
