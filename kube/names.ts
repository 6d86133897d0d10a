/**
 * Kubernetes name syntax (k8s.io/apimachinery/pkg/util/validation), in one place: every check of a
 * namespace, object, rule-group, policy or port name reads these.
 */

/** RFC 1123 label (IsDNS1123Label's pattern; the 63-character limit is checked beside it). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 subdomain: dot-separated labels (IsDNS1123Subdomain's pattern; at most 253 characters, checked beside it). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
