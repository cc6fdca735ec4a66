// Placeholder so the library has a source until the real files land; delete it then.
