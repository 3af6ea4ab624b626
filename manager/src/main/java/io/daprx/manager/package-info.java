/** The extension manager: management API, store, desired state of an install, reconciler and targets. */
package io.daprx.manager;
