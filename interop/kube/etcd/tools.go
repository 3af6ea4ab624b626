//go:build tools

// Package etcd only exists to pin go.etcd.io/etcd/server/v3 in go.mod; the etcd binary is that
// module's root package (package main, which cannot be imported), whose only import is etcdmain.
package etcd

import _ "go.etcd.io/etcd/server/v3/etcdmain"
