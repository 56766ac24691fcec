package io.latentflow.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Normalisation used inside the residual blocks: group normalisation with {@code groups} groups, or none.
 *
 * @param kind   GROUP or NONE
 * @param groups number of groups for GROUP; ignored (0) for NONE
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record Normalization(Kind kind, int groups) {

    public enum Kind { GROUP, NONE }

    public Normalization {
        if (kind == null) {
            throw new IllegalArgumentException("normalization.kind is missing: use GROUP or NONE");
        }
        if (kind == Kind.GROUP && groups < 1) {
            throw new IllegalArgumentException(
                    "normalization.groups is " + groups + ": GROUP normalisation needs at least 1 group");
        }
        if (kind == Kind.NONE) {
            groups = 0;
        }
    }

    public static Normalization group(int groups) {
        return new Normalization(Kind.GROUP, groups);
    }

    public static Normalization none() {
        return new Normalization(Kind.NONE, 0);
    }
}
