/**
 * The operator: serves Dapr resources (Components, Configurations, Subscriptions, Resiliencies, HTTPEndpoints) to
 * sidecars over mTLS, from a directory (standalone) or the dapr.io CRDs (kubernetes), and keeps the
 * {@code <app-id>-dapr} Services of Dapr-enabled workloads on the leader replica.
 */
package io.daprx.operator;
