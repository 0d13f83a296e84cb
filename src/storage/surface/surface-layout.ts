/** Where the surface index keeps a station's fields: Int32 fields per slot in its `meta` array. */
export const M = 7;
export const ID = 0, PARTNER = 1, BUCKET = 2, CONN_START = 3, CONN_COUNT_OWNER = 4, NAME_START = 5, NAME_LEN = 6;
