// Builds the precompiled headers the unit tests and the integration tests share (one each); no
// code lives here.
