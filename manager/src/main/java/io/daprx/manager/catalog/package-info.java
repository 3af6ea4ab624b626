/** The release-train catalog and the version rules of EXTENSION.md, as pure functions. */
package io.daprx.manager.catalog;
