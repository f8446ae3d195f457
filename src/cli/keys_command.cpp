// spooled keys list|create|revoke
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_views.hpp"
#include "cli/table.hpp"

namespace spooled::cli {

namespace {

std::string joinQueues(const std::vector<std::string>& queues) {
  if (queues.empty()) return "*";
  std::string out;
  for (const auto& q : queues) out += (out.empty() ? "" : ",") + q;
  return out;
}

void addList(CLI::App& keys, CliContext& ctx) {
  auto* cmd = keys.add_subcommand("list", "API keys of your organization (never their values)");
  cmd->callback([&ctx] {
    ctx.action = [&ctx] {
      const auto list = ctx.client().apiKeys().list();
      if (ctx.json()) {
        ctx.printJson(toJsonArray(list));
        return kExitOk;
      }
      Table table({"ID", "NAME", "QUEUES", "ACTIVE", "CREATED", "LAST USED", "EXPIRES"});
      for (const auto& k : list)
        table.add({k.id, k.name, joinQueues(k.queues), k.isActive ? ctx.paint("yes", ansi::green) : ctx.paint("no", ansi::red),
                   k.createdAt, orDash(k.lastUsed), orDash(k.expiresAt)});
      if (table.empty()) ctx.err() << "no keys\n";
      else table.print(ctx.out(), ctx.colorEnabled());
      return kExitOk;
    };
  });
}

void addCreate(CLI::App& keys, CliContext& ctx) {
  struct Args {
    CreateApiKeyParams params;
    std::vector<std::string> queues;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = keys.add_subcommand("create", "Create a key; prints its value once (store it now)");
  cmd->add_option("name", args->params.name, "A name for the key")->required();
  cmd->add_option("-q,--queue", args->queues, "Restrict to these queues (repeatable; default all)");
  cmd->add_option("--rate-limit", args->params.rateLimit, "Requests per second, 1..10000");
  cmd->add_option("--expires-at", args->params.expiresAt, "ISO-8601 time the key stops working");
  cmd->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      CreateApiKeyParams p = args->params;
      if (!args->queues.empty()) p.queues = args->queues;
      const auto r = ctx.client().apiKeys().create(p);
      if (ctx.json()) {
        ctx.printJson(toJson(r));
      } else {
        ctx.out() << r.key << "\n";  // only the key on stdout: `KEY=$(spooled keys create ci)`
        ctx.err() << "created key " << r.id << " (" << r.name << "); this is the only time its value is shown\n";
      }
      return kExitOk;
    };
  });
}

void addRevoke(CLI::App& keys, CliContext& ctx) {
  auto id = std::make_shared<std::string>();
  auto* cmd = keys.add_subcommand("revoke", "Revoke a key: it stops working at once");
  cmd->add_option("id", *id, "Key id")->required();
  cmd->callback([&ctx, id] {
    ctx.action = [&ctx, id] {
      ctx.client().apiKeys().revoke(*id);
      if (ctx.json()) ctx.printJson({{"id", *id}, {"revoked", true}});
      else ctx.out() << *id << " revoked\n";
      return kExitOk;
    };
  });
}

}  // namespace

void addKeysCommands(CLI::App& app, CliContext& ctx) {
  auto* keys = app.add_subcommand("keys", "API keys: list, create, revoke");
  keys->require_subcommand(1);
  addList(*keys, ctx);
  addCreate(*keys, ctx);
  addRevoke(*keys, ctx);
}

}  // namespace spooled::cli
