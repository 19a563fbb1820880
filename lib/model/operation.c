/* SPDX-License-Identifier: MIT */
/* The operations' names and how many inputs each takes: the writers below the
 * operations name them too. */
#include "boxmix.h"

#include <string.h>

static const char *const op_names[BMX_OP_COUNT] = {"cutmix", "cutout", "mixup", "mosaic",
                                                   "copypaste"};
static const size_t op_inputs[BMX_OP_COUNT] = {2, 1, 2, 4, 2};

const char *bmx_op_name(enum bmx_op op)
{
    return (unsigned)op < BMX_OP_COUNT ? op_names[op] : NULL;
}

bool bmx_op_from_name(const char *name, enum bmx_op *out)
{
    for (unsigned k = 0; name != NULL && k < BMX_OP_COUNT; k++) {
        if (strcmp(name, op_names[k]) == 0) {
            *out = (enum bmx_op)k;
            return true;
        }
    }
    return false;
}

size_t bmx_op_inputs(enum bmx_op op)
{
    return (unsigned)op < BMX_OP_COUNT ? op_inputs[op] : 0;
}
