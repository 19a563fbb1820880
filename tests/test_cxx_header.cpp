// SPDX-License-Identifier: MIT
// The public header compiles as C++ and its calls link from a C++ program.
#include <boxmix.h>

#include <cstdio>
#include <cstring>

int main()
{
    bmx_error err = {};
    bmx_rng rng;
    bmx_rng_seed(&rng, 7, 0);
    struct bmx_cutmix_options o;
    bmx_cutmix_options_init(&o);
    struct bmx_patch p;
    if (bmx_cutmix_draw_patch(&o, 64, 48, nullptr, 0, &rng, &p, &err) != BMX_OK) {
        std::fprintf(stderr, "draw patch: %s\n", err.message);
        return 1;
    }
    std::printf("1..1\nok 1 - boxmix.h compiles as C++ (%s), a patch of %dx%d\n", bmx_version(),
                static_cast<int>(p.rect.w), static_cast<int>(p.rect.h));
    return std::strlen(bmx_strerror(BMX_OK)) > 0 ? 0 : 1;
}
