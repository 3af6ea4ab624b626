//go:build tools

// Package peers only exists to pin upstream Dapr's main packages in go.mod;
// bin/build-peers builds them. The "tools" tag keeps it out of normal builds.
package peers

import (
	_ "github.com/dapr/dapr/cmd/daprd"
	_ "github.com/dapr/dapr/cmd/placement"
	_ "github.com/dapr/dapr/cmd/scheduler"
	_ "github.com/dapr/dapr/cmd/sentry"
)
