// Builds the precompiled header the unit tests share; no code lives here.
