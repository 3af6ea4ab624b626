/**
 * A Dapr install as Kubernetes objects: built from the extension's settings by pure functions that never touch a
 * client (the Kubernetes target applies them), in apply order.
 */
package io.daprx.manager.kube;
