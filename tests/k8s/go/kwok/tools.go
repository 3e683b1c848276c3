//go:build tools

// Package tools only names the upstream command this module builds, so that
// `go mod tidy` records its dependencies. No Hearth code lives here.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
