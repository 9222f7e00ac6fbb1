package main

import "github.com/gen2brain/beeep"

// desktopNotify shows a desktop notification (--notify desktop): D-Bus
// org.freedesktop.Notifications on Linux and the BSDs, Notification
// Center on macOS, a toast on Windows. The dashboard passes text already
// cleaned of control and invisible characters.
func desktopNotify(title, body string) error {
	return beeep.Notify(title, body, "")
}
