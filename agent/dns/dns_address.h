#pragma once
// Making the cluster DNS address (10.43.0.10 by default) local on the node, so the agent can bind
// it and pods reach it over their bridge: a dummy link ("skiff-dns") holding the address as a /32,
// as NodeLocal DNSCache does with its nodelocaldns link (a port-less bridge where the kernel has
// no dummy driver).
//
// Contract: ensure_dns_address is idempotent (an existing link is reused, the address replaced,
// other addresses on the link removed so a changed --cluster-dns does not linger) and throws
// DnsAddressError with ip's message when a step fails. remove_dns_address deletes the link and
// succeeds when there is none (uninstall, shutdown).
#include <stdexcept>
#include <string>

#include "agent/network/ip_command.h"

namespace skiff::agent::dns {

class DnsAddressError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kDnsDevice = "skiff-dns";

void ensure_dns_address(network::IpRunner& runner, const std::string& ip,
                        const std::string& device = kDnsDevice);
void remove_dns_address(network::IpRunner& runner, const std::string& device = kDnsDevice);

// The same through real `ip` commands.
void ensure_dns_address(const std::string& ip, const std::string& device = kDnsDevice);
void remove_dns_address(const std::string& device = kDnsDevice);

}  // namespace skiff::agent::dns
