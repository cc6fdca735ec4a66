#include "pkg/util/flags.h"

#include <sstream>

namespace skiff::util {

Flags::Flag& Flags::declare(const std::string& names, Type type, std::string default_value,
                            std::string help) {
  Flag flag;
  auto comma = names.find(',');
  flag.name = names.substr(0, comma);
  if (comma != std::string::npos) flag.short_name = names.substr(comma + 1);
  flag.type = type;
  flag.default_value = std::move(default_value);
  flag.help = std::move(help);
  flags_.push_back(std::move(flag));
  return flags_.back();
}

void Flags::add_string(const std::string& names, std::string def, std::string help) {
  declare(names, Type::String, std::move(def), std::move(help));
}
void Flags::add_bool(const std::string& names, bool def, std::string help) {
  declare(names, Type::Bool, def ? "true" : "false", std::move(help));
}
void Flags::add_int(const std::string& names, long long def, std::string help) {
  declare(names, Type::Int, std::to_string(def), std::move(help));
}
void Flags::add_list(const std::string& names, std::string help) {
  declare(names, Type::List, "", std::move(help));
}

Flags::Flag* Flags::find(const std::string& name) {
  for (auto& flag : flags_)
    if (flag.name == name || (!flag.short_name.empty() && flag.short_name == name)) return &flag;
  return nullptr;
}

const Flags::Flag& Flags::lookup(const std::string& name) const {
  for (const auto& flag : flags_)
    if (flag.name == name) return flag;
  throw std::logic_error("flag not declared: " + name);
}

void Flags::parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positional_.insert(positional_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      return;
    }
    if (arg.size() < 2 || arg[0] != '-' || arg == "-") {
      positional_.push_back(arg);
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> inline_value;
    if (auto eq = body.find('='); eq != std::string::npos) {
      inline_value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    Flag* flag = find(body);
    if (!flag) throw FlagError("unknown flag: " + arg);
    std::string value;
    if (flag->type == Type::Bool) {
      value = inline_value.value_or("true");
      if (value != "true" && value != "false")
        throw FlagError("invalid value \"" + value + "\" for --" + flag->name +
                        ": must be true or false");
    } else if (inline_value) {
      value = *inline_value;
    } else {
      if (i + 1 >= args.size()) throw FlagError("flag needs an argument: " + arg);
      value = args[++i];
    }
    if (flag->type == Type::Int) {
      try {
        size_t used = 0;
        (void)std::stoll(value, &used);
        if (used != value.size()) throw std::invalid_argument(value);
      } catch (const std::exception&) {
        throw FlagError("invalid value \"" + value + "\" for --" + flag->name +
                        ": must be an integer");
      }
    }
    if (flag->type == Type::List) {
      flag->values.push_back(value);
    } else {
      flag->values = {value};
    }
    flag->set = true;
  }
}

std::string Flags::get_string(const std::string& name) const {
  const auto& flag = lookup(name);
  return flag.values.empty() ? flag.default_value : flag.values.back();
}
bool Flags::get_bool(const std::string& name) const {
  return get_string(name) == "true";
}
long long Flags::get_int(const std::string& name) const {
  return std::stoll(get_string(name));
}
std::vector<std::string> Flags::get_list(const std::string& name) const {
  return lookup(name).values;
}
bool Flags::was_set(const std::string& name) const {
  return lookup(name).set;
}

std::string Flags::usage() const {
  std::ostringstream out;
  for (const auto& flag : flags_) {
    std::string left = "  ";
    if (!flag.short_name.empty()) left += "-" + flag.short_name + ", ";
    left += "--" + flag.name;
    if (flag.type != Type::Bool) left += " value";
    out << left;
    if (left.size() < 34)
      out << std::string(34 - left.size(), ' ');
    else
      out << "  ";
    out << flag.help;
    bool boring_default = flag.type == Type::Bool && flag.default_value == "false";
    if (!flag.default_value.empty() && flag.type != Type::List && !boring_default)
      out << " (default " << flag.default_value << ")";
    out << "\n";
  }
  return out.str();
}

}  // namespace skiff::util
