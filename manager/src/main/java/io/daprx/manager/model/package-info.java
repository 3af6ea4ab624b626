/** The manager's vocabulary shared by every layer: resource ids, domain errors, the control-plane table. */
package io.daprx.manager.model;
