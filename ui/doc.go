// Package ui is stagegate's terminal dashboard: the stage queue, the review
// of one staged version (manifest changes, file list and a virtualized diff
// pane), and approve/reject with inline 2FA, singly or in batches.
//
// The package does no I/O of its own. Every registry or review call goes
// through a Backend inside a tea.Cmd; results come back as messages that
// carry a request id and the item key, so a late answer for an item the user
// has moved away from is cached or dropped instead of replacing the screen.
// Untrusted text (package contents, names, registry messages) reaches the
// terminal only through the adapter in safe.go.
package ui
