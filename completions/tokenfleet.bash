# bash completion for tokenfleet(1)                                  -*- shell-script -*-
# Installed as share/bash-completion/completions/tokenfleet, where bash-completion loads it the
# first time tokenfleet is completed. Completes the commands, each command's options (the lists
# below are checked against the code by tests/completion/test_completion.py), file names after
# options that take a file, and target and database names after --limit and --target, read with
# `tokenfleet list` from the inventory given with -i.

# The inventory given on the line being completed (-i FILE, -iFILE, --inventory FILE,
# --inventory=FILE), with a leading ~ expanded; empty when there is none.
_tokenfleet_inventory()
{
    local i inv=
    for ((i = 2; i < cword; i++)); do
        case ${words[i]} in
            -i | --inventory) inv=${words[i + 1]} ;;
            --inventory=*) inv=${words[i]#--inventory=} ;;
            -i?*) inv=${words[i]#-i} ;;
        esac
    done
    [[ $inv == \~* ]] && inv=$HOME${inv#\~}
    printf '%s\n' "$inv"
}

# Target names (orders/us-east1) and database names (orders) of that inventory, as COMPREPLY.
# `tokenfleet list` reads no password and sends nothing; an inventory it refuses gives nothing.
_tokenfleet_targets()
{
    local inv targets
    inv=$(_tokenfleet_inventory)
    # -i - is standard input: the terminal here, which list would wait on.
    [[ $inv && $inv != - ]] || return
    targets=$("${words[0]}" list -i "$inv" -q </dev/null 2>/dev/null) || return
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$targets"$'\n'"$(printf '%s\n' $targets | cut -d/ -f1 | sort -u)" \
        -- "$cur"))
}

_tokenfleet()
{
    local cur prev words cword split
    _init_completion -s || return

    local commands="validate provision check watch exec list discover merge-reports help"
    if ((cword == 1)); then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    local command=${words[1]} i

    # exec: what follows -- is a command line of its own.
    if [[ $command == exec ]]; then
        for ((i = 2; i < cword; i++)); do
            if [[ ${words[i]} == -- ]]; then
                _command_offset $((i + 1))
                return
            fi
        done
    fi

    case $prev in
        -i | --inventory)
            _filedir '@(yaml|yml)'
            return
            ;;
        --env-file | --report | --junit | --prom | --cacert | -o | --output | --org-token-file)
            _filedir
            return
            ;;
        --env-dir | --capath)
            _filedir -d
            return
            ;;
        --env-format)
            COMPREPLY=($(compgen -W "portable sh" -- "$cur"))
            return
            ;;
        --org-token-env | --token-env)
            COMPREPLY=($(compgen -v -- "$cur"))
            return
            ;;
        --status)
            # The last status of a comma-separated list.
            local done=${cur%"${cur##*,}"}
            COMPREPLY=($(compgen -P "$done" -W "ACTIVE HIBERNATED HIBERNATING PARKED PARKING
                UNPARKING MAINTENANCE PENDING PREPARING PREPARED INITIALIZING RESUMING RESIZING
                ERROR TERMINATING TERMINATED ASSOCIATING DECOMMISSIONING DEGRADED SYNCHRONIZING
                UNKNOWN SUSPENDED SUSPENDING" -- "${cur##*,}"))
            return
            ;;
        --env-names)
            COMPREPLY=($(compgen -W "seed astra" -- "$cur"))
            return
            ;;
        --limit | --target)
            _tokenfleet_targets
            return
            ;;
        --on-change)
            COMPREPLY=($(compgen -c -- "$cur"))
            return
            ;;
        -j | --concurrency | --timeout | --connect-timeout | --retries | --retry-delay | \
            --retry-max-wait | --deadline | --shard | --connect-to | --interval | \
            --max-token-age | --on-change-timeout | --keep-alive | --cycles | --proxy | --noproxy | \
            --api-url)
            return # a number, a duration, K/N, HOST:PORT:HOST:PORT, a URL, hosts: nothing to offer
            ;;
    esac
    $split && return

    local common="-i --inventory -q --quiet -v --verbose -h --help"
    local selection="--limit --shard"
    local requests="-j --concurrency --timeout --connect-timeout --retries --retry-delay
        --retry-max-wait --connect-to --cacert --capath --proxy --noproxy"
    local opts
    case $command in
        validate)
            opts="$common $selection --env-dir --env-file --env-format --env-names --verify"
            ;;
        provision)
            opts="$common $selection $requests --deadline --dry-run --env-dir --env-file
                --env-format --env-names --report"
            ;;
        check)
            opts="$common $selection $requests --deadline --dry-run --report --junit --prom
                --verify"
            ;;
        watch)
            opts="$common $selection $requests --env-dir --env-file --env-format --env-names
                --report --prom --interval --max-token-age --on-change --on-change-timeout --cycles"
            ;;
        exec)
            opts="$common --limit $requests --deadline --target --keep-alive --max-token-age
                --keep-password-env --env-names"
            ;;
        list) opts="-i --inventory -q --quiet -h --help $selection --json" ;;
        discover)
            opts="-q --quiet -v --verbose -h --help ${requests/-j --concurrency /}
                --org-token-env --org-token-file -o --output --force --api-url --status
                --token-env --deadline"
            ;;
        merge-reports) opts="-o --output -q --quiet -h --help" ;;
        help)
            ((cword == 2)) && COMPREPLY=($(compgen -W "${commands% help}" -- "$cur"))
            return
            ;;
        *) return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ $command == merge-reports ]]; then
        _filedir json # the reports to merge
    elif [[ $command == exec ]]; then
        COMPREPLY=($(compgen -W "--" -- "$cur")) # the command comes after --
    fi
} &&
    complete -F _tokenfleet tokenfleet

# ex: filetype=sh
