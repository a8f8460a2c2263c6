/* commands.h: the subcommands; each takes its argv (argv[0] = its name), returns the exit code. */
#ifndef TOKENFLEET_COMMANDS_H
#define TOKENFLEET_COMMANDS_H

int cmd_validate(int argc, char **argv);
int cmd_provision(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_merge_reports(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_discover(int argc, char **argv);

#endif
