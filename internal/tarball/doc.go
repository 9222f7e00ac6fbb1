// Package tarball reads npm package tarballs (.tgz) safely into memory:
// one streaming pass of gzip and tar with digests computed on the way,
// npm's first-segment stripping, limits, and a report of every entry npm
// would not install (links, devices, escapes, duplicates, collisions).
// It never writes to disk and never follows a link.
package tarball
