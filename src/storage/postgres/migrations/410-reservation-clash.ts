// At most one active reservation per connector, enforced by the database so two hubs answering
// reservation-start for one EVSE at the same moment cannot both record one (the loser answers 323).
export const sql = `
CREATE UNIQUE INDEX reservations_one_active ON reservations(connector_id) WHERE state = 'active';
`;
