// autocannon ships no types and @types/autocannon is not a dependency: the load worker uses it untyped.
declare module 'autocannon';
