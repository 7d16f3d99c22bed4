/**
 * The one surface every caller of a model sees. Filled in by the serving issue; depends on nothing.
 */
package dev.junction.inference;
