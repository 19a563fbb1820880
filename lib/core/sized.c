/* SPDX-License-Identifier: MIT */
/* The option structs that carry a size: read up to the caller's size over the
 * defaults (see sized.h). */
#include "sized.h"

#include <string.h>

bmx_status bmx__sized_read(void *out, size_t cur, const void *in, const char *what, bmx_error *err)
{
    if (in == NULL) {
        return bmx__fail(err, BMX_E_INVALID, "%s: NULL", what);
    }
    size_t given;
    memcpy(&given, in, sizeof given);
    if (given == 0) {
        return bmx__fail(err, BMX_E_INVALID,
                         "%s: size is 0: fill the struct with its _init function before "
                         "setting fields",
                         what);
    }
    if (given < sizeof given) {
        return bmx__fail(err, BMX_E_INVALID, "%s: size %zu is too small to be one", what, given);
    }
    if (given > cur) {
        return bmx__fail(err, BMX_E_INVALID,
                         "%s: size %zu is larger than this library's %zu: the program was built "
                         "against a newer boxmix.h than the library it runs with",
                         what, given, cur);
    }
    memcpy(out, in, given);
    memcpy(out, &cur, sizeof cur);
    return BMX_OK;
}

bmx_status bmx__sized_member(void *member, size_t cur, size_t offset, size_t given,
                             const char *what, bmx_error *err)
{
    if (given <= offset) {
        return BMX_OK; /* not given: its defaults, size included */
    }
    size_t covered = given - offset < cur ? given - offset : cur;
    size_t size;
    memcpy(&size, member, sizeof size);
    if (covered < sizeof size || size != covered) {
        return bmx__fail(err, BMX_E_INVALID,
                         "%s: size %zu, expected %zu: fill the struct with its _init function "
                         "before setting fields",
                         what, size, covered);
    }
    memcpy(member, &cur, sizeof cur);
    return BMX_OK;
}
