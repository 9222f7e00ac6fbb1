package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stagegate/stagegate/internal/posture"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/report"
)

// postureRed is posture's exit code when a release can skip the stage gate.
const postureRed = 1

func newPostureCmd(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "posture [<pkg>...] [--json]",
		Short: "Per package: can a release still skip the stage gate? (red/green, with the npm command that fixes each red cell)",
		Long: `posture checks, for each package you can publish (or the ones named),
whether a release can bypass npm stage: publishing without 2FA
(npm access set mfa=publish), trusted publishers allowed to npm publish
rather than only stage, tokens that publish without 2FA, and on this
machine the project's allow-remote/allow-file/allow-git settings and the
npm version (11.15 or later has npm stage). It reads the routes npm uses
for npm access, npm trust and npm token. Exit codes: 0 all green, 1 a red
cell (or an error), 2 usage error. Token values are never shown: only the
ids npm token revoke takes.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range args {
				if err := registry.ValidatePackageName(a); err != nil {
					return usageErr("%s", err.Error())
				}
			}
			e, err := g.newEnv()
			if err != nil {
				return err
			}
			rep, err := posture.Gather(cmd.Context(), e.client, e.client.Registry(), e.cfg, posture.Options{Packages: args})
			if err != nil {
				return err
			}
			if asJSON {
				err = writeJSON(g, rep)
			} else {
				err = report.Posture(g.stdout, rep, report.Style{Color: g.colorOn(g.stdout)})
			}
			if err != nil {
				return err
			}
			if rep.Red > 0 {
				return &exitError{code: postureRed, err: fmt.Errorf("%d red: a release can skip the stage gate", rep.Red)}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as one JSON document")
	return c
}
