//go:build tools

// Package kube only exists to pin upstream Kubernetes' main packages in go.mod;
// bin/build-peers --kube builds them. The "tools" tag keeps it out of normal builds.
package kube

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
