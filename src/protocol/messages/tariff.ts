// Calls of this family are declared here with defineCall and listed in the exported map.
export const tariffCalls = {} as const;
