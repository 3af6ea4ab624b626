/** Placement: the actor placement service (1.17+ protocol), its hash ring, and leader election between replicas. */
package io.daprx.placement;
