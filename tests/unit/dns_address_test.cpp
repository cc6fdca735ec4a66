// The cluster DNS address on its dummy link: the `ip` commands, idempotent, with a fake runner.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "agent/dns/dns_address.h"

namespace skiff::agent::dns {
namespace {

// Answers like ip would for a link that exists or not and holds `addresses`.
class FakeIp : public network::IpRunner {
 public:
  network::ChildResult run(const std::vector<std::string>& argv, std::string_view = {}) override {
    std::string line;
    for (const auto& arg : argv) line += (line.empty() ? "" : " ") + arg;
    calls.push_back(line);
    if (line == "ip link show dev skiff-dns")
      return {exists ? 0 : 1, exists ? "" : "Device does not exist"};
    if (line == "ip link add skiff-dns type dummy" && !has_dummy)
      return {2, "Error: Unknown device type."};
    if (line.starts_with("ip link add skiff-dns type ") && !fail_with) exists = true;
    if (line.starts_with("ip -o -4 addr show")) {
      std::string out;
      for (const auto& address : addresses)
        out += "9: skiff-dns    inet " + address + " scope global skiff-dns\n";
      return {0, out};
    }
    if (line.starts_with("ip addr replace ")) addresses.insert(argv[3]);
    if (line.starts_with("ip addr del ")) addresses.erase(argv[3]);
    if (line == "ip link del skiff-dns") exists = false;
    return {fail_with, fail_with ? "RTNETLINK answers: Operation not permitted" : ""};
  }
  bool exists = false;
  bool has_dummy = true;  // the kernel's dummy driver
  std::set<std::string> addresses;
  int fail_with = 0;
  std::vector<std::string> calls;
};

TEST(DnsAddress, CreatesTheDummyLinkWithTheAddress) {
  FakeIp ip;
  ensure_dns_address(ip, "10.43.0.10");
  EXPECT_EQ(ip.calls, (std::vector<std::string>{
                          "ip link show dev skiff-dns", "ip link add skiff-dns type dummy",
                          "ip link set skiff-dns up", "ip addr replace 10.43.0.10/32 dev skiff-dns",
                          "ip -o -4 addr show dev skiff-dns"}));
  EXPECT_EQ(ip.addresses, std::set<std::string>{"10.43.0.10/32"});
}

TEST(DnsAddress, UsesAPortlessBridgeWhereTheKernelHasNoDummyDriver) {
  FakeIp ip;
  ip.has_dummy = false;
  ensure_dns_address(ip, "10.43.0.10");
  EXPECT_EQ(ip.calls[2], "ip link add skiff-dns type bridge");
  EXPECT_EQ(ip.addresses, std::set<std::string>{"10.43.0.10/32"});
}

TEST(DnsAddress, IsIdempotentAndDropsAnOldAddress) {
  FakeIp ip;
  ip.exists = true;
  ip.addresses = {"10.43.0.10/32"};
  ensure_dns_address(ip, "10.43.0.10");
  EXPECT_EQ(ip.addresses, std::set<std::string>{"10.43.0.10/32"});
  EXPECT_EQ(std::count(ip.calls.begin(), ip.calls.end(), "ip link add skiff-dns type dummy"), 0);
  ensure_dns_address(ip, "10.96.0.10");  // --cluster-dns changed
  EXPECT_EQ(ip.addresses, std::set<std::string>{"10.96.0.10/32"});
}

TEST(DnsAddress, RemoveIsIdempotent) {
  FakeIp ip;
  remove_dns_address(ip);
  EXPECT_EQ(ip.calls, std::vector<std::string>{"ip link show dev skiff-dns"});
  ip.exists = true;
  remove_dns_address(ip);
  EXPECT_FALSE(ip.exists);
}

TEST(DnsAddress, FailuresAndBadInputAreClearErrors) {
  FakeIp ip;
  EXPECT_THROW(ensure_dns_address(ip, "10.43.0"), DnsAddressError);
  EXPECT_TRUE(ip.calls.empty());
  ip.fail_with = 2;
  try {
    ensure_dns_address(ip, "10.43.0.10");
    ADD_FAILURE() << "no error";
  } catch (const DnsAddressError& error) {
    EXPECT_STREQ(error.what(),
                 "`ip link add skiff-dns type bridge` failed: RTNETLINK answers: Operation not "
                 "permitted");
  }
}

}  // namespace
}  // namespace skiff::agent::dns
