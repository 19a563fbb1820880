/* SPDX-License-Identifier: MIT */
/* The names of an operation's decisions, as the decision log writes them and its
 * reader reads them. */
#include "boxmix.h"

const char *bmx_decision_kind_name(enum bmx_decision_kind kind)
{
    switch (kind) {
    case BMX_DECIDED_KEPT:
        return "kept";
    case BMX_DECIDED_CLIPPED:
        return "clipped";
    case BMX_DECIDED_DROPPED:
        return "dropped";
    }
    return "";
}

const char *bmx_drop_rule_name(enum bmx_drop_rule rule)
{
    switch (rule) {
    case BMX_DROP_NONE:
        return "";
    case BMX_DROP_NO_AREA:
        return "no-area";
    case BMX_DROP_MIN_VISIBILITY:
        return "min_visibility";
    case BMX_DROP_MIN_AREA:
        return "min_area";
    case BMX_DROP_MIN_SIZE:
        return "min_size";
    }
    return "";
}
