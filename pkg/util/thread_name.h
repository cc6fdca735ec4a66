#pragma once
// Names the calling thread as `top -H`, `ps -L`, perf and gdb show it ("store-writer",
// "ctl-scheduler"...): one process runs dozens of threads, and "skiff" for all of them says
// nothing about which one is busy. Linux keeps 15 characters; longer names are cut.
#include <string_view>

namespace skiff::util {

void name_this_thread(std::string_view name);

}  // namespace skiff::util
