//go:build tools

// Package tools only names the upstream commands this module builds, so that
// `go mod tidy` records their dependencies. No Hearth code lives here.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
