package main

import "github.com/spf13/cobra"

// subcommands lists every subcommand; each lives in its own file.
func subcommands(g *globals) []*cobra.Command {
	return []*cobra.Command{
		newListCmd(g),
		newViewCmd(g),
		newDownloadCmd(g),
		newDiffCmd(g),
		newCompareCmd(g),
		newApproveCmd(g),
		newRejectCmd(g),
		newWaitCmd(g),
		newWatchCmd(g),
		newPostureCmd(g),
		newRegistryCmd(g),
		newDemoCmd(g),
		newVersionCmd(g),
	}
}
