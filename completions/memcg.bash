# bash completion for memcg(8)                             -*- shell-script -*-
#
# Nothing here is a copied list: commands, options, option arguments, operand
# kinds and column names are asked of memcg itself at completion time
# (--list-commands, COMMAND --help, COMMAND --list-columns, mounts), cgroups
# are the directories of the memory hierarchy memcg uses, and PIDs come from
# /proc. Only read-only memcg commands are run.

# Parse "memcg [COMMAND] --help" into lines of fields separated by \037:
#   U <usage after the program name>
#   O <short> <long> <argument name> <description>
_memcg_help()
{
    "$@" --help 2>/dev/null | awk '
        function flush() {
            if (have)
                printf "O\037%s\037%s\037%s\037%s\n", s, l, a, d
            have = 0
        }
        {
            match($0, /^ */)
            indent = RLENGTH
        }
        /^Usage:/ {
            flush()
            # drop "Usage:" and the program name: the words before the
            # first one that starts with "[" or an upper-case letter
            n = split($0, w, " "); u = ""; started = 0
            for (i = 2; i <= n; i++) {
                if (!started && w[i] ~ /^[[A-Z]/)
                    started = 1
                if (started)
                    u = u (u == "" ? "" : " ") w[i]
            }
            print "U\037" u
            next
        }
        indent > 0 && indent < 9 && substr($0, indent + 1, 1) == "-" {
            flush()
            line = substr($0, indent + 1)
            opt = line; d = ""
            if (match(line, /   */)) {
                opt = substr(line, 1, RSTART - 1)
                d = substr(line, RSTART + RLENGTH)
            }
            s = ""; l = ""; a = ""
            if (opt ~ /^-[^-]/)
                s = substr(opt, 1, 2)
            if (match(opt, /--[A-Za-z0-9][-A-Za-z0-9]*/))
                l = substr(opt, RSTART, RLENGTH)
            if (match(opt, /=.*/))
                a = substr(opt, RSTART + 1)
            else if (l == "" && match(opt, /^-[^-] +/))
                a = substr(opt, RLENGTH + 1)
            have = 1
            next
        }
        indent >= 9 && have {
            d = d " " substr($0, indent + 1)
            next
        }
        { flush() }
        END { flush() }'
}

# The long name of option $1 (or $1 itself), per the help table in $2.
_memcg_canon()
{
    local tag s l a d
    while IFS=$'\037' read -r tag s l a d; do
        if [[ $tag == O && -n $l && $1 == "$s" ]]; then
            printf '%s\n' "$l"
            return
        fi
    done <<<"$2"
    printf '%s\n' "$1"
}

# libsmartcols raw output escapes spaces and unusual bytes as \xHH.
_memcg_unraw()
{
    printf '%b' "$1"
}

# The v1 memory hierarchy memcg uses: sets mc_target and mc_root.
_memcg_hierarchy()
{
    local used target root
    mc_target= mc_root=
    while read -r used target root; do
        if [[ $used == yes ]]; then
            mc_target=$(_memcg_unraw "$target")
            mc_root=$(_memcg_unraw "$root")
            return 0
        fi
    done < <("$mc_bin" "${mc_global[@]}" mounts -r -n -o USED,TARGET,ROOT 2>/dev/null)
    return 1
}

# Subdirectories of $1 whose names start with $2, as "$3<name>/".
_memcg_subdirs()
{
    local d
    for d in "$1$2"*/; do
        [[ -d $d ]] && COMPREPLY+=("$3${d#"$1"}")
    done
}

# Complete a cgroup name: a hierarchy path, a filesystem path under the mount
# point, or memory:/path.
_memcg_cgroups()
{
    local cur=$1 pfx= hp dirpart base fsroot rel
    _memcg_hierarchy || return
    # an opening quote: readline quotes what is inserted
    [[ $cur == [\"\']* ]] && cur=${cur:1}
    fsroot=$mc_sysroot$mc_target
    [[ $mc_target == / ]] && fsroot=$mc_sysroot
    compopt -o filenames -o nospace 2>/dev/null

    if [[ $cur == memory:* ]]; then
        pfx=memory:
        cur=${cur#memory:}
    elif [[ $mc_target != / && ( $cur == "$mc_target" || $cur == "$mc_target"/* ) ]]; then
        # a filesystem path: directories below the mount point
        [[ $cur == "$mc_target" ]] && cur=$cur/
        dirpart=${cur%/*}/
        base=${cur##*/}
        _memcg_subdirs "$mc_sysroot$dirpart" "$base" "$dirpart"
        return
    else
        [[ -n $cur && memory: == "$cur"* ]] && COMPREPLY+=(memory:/)
        [[ $cur == /?* && $mc_target != / && $mc_target/ == "$cur"* ]] &&
            COMPREPLY+=("$mc_target/")
    fi

    # a hierarchy path, with or without its leading slash
    hp=$cur
    [[ $hp == /* ]] || hp=/$hp
    if [[ $hp == */* && $hp != / ]]; then
        dirpart=${hp%/*}/
        base=${hp##*/}
    else
        dirpart=/ base=
    fi
    if [[ $mc_root == / ]]; then
        [[ -z $cur ]] && COMPREPLY+=("$pfx/")
        rel=$dirpart
    else
        # paths lie under the mount's root
        if [[ $dirpart == "$mc_root"/* ]]; then
            rel=${dirpart#"$mc_root"}
        else
            [[ $mc_root/ == "$hp"* ]] && COMPREPLY+=("$pfx$mc_root/")
            return
        fi
    fi
    [[ -z $cur || $cur == /* || -n $pfx ]] || dirpart=${dirpart#/}
    _memcg_subdirs "$fsroot$rel" "$base" "$pfx$dirpart"
}

# Mount points of v1 memory hierarchies, for --mount.
_memcg_mounts()
{
    local type memory target
    while read -r type memory target; do
        [[ $type == cgroup && $memory == yes ]] &&
            COMPREPLY+=("$(_memcg_unraw "$target")")
    done < <("$mc_bin" ${mc_sysroot:+--sysroot "$mc_sysroot"} mounts -r -n \
        -o TYPE,MEMORY,TARGET 2>/dev/null)
    local m=("${COMPREPLY[@]}")
    COMPREPLY=()
    for target in "${m[@]}"; do
        [[ $target == "$1"* ]] && COMPREPLY+=("$target")
    done
}

# Column names for -o: a comma-separated list, optionally starting with +.
_memcg_columns()
{
    local cur=$1 real prefix col name
    real=${cur##*,}
    prefix=${cur%"$real"}
    if [[ -z $prefix && $real == +* ]]; then
        prefix=+
        real=${real#+}
    fi
    while read -r col _; do
        [[ -n $col ]] || continue
        [[ ,${prefix^^}, == *[,+]"$col",* ]] && continue
        [[ ${col^^} == "${real^^}"* ]] || continue
        name=$col
        [[ -n $real && $real == "${real,,}" ]] && name=${col,,}
        COMPREPLY+=("$prefix$name,")
    done < <("$mc_bin" "$mc_cmd" --list-columns --raw --noheadings 2>/dev/null)
    compopt -o nospace 2>/dev/null
}

# Controllers for --also LIST: a comma-separated list of the v1 hierarchies
# other than the memory one, as memcg mounts shows their super options (the
# tokens /proc/cgroups names as controllers), or "*" for all of them.
_memcg_controllers()
{
    local cur=$1 real prefix type memory opts o known
    real=${cur##*,}
    prefix=${cur%"$real"}
    [[ -z $prefix && ( -z $real || $real == '*' ) ]] && COMPREPLY+=('*')
    known=" $(awk '!/^#/ { printf "%s ", $1 }' "$mc_sysroot/proc/cgroups" 2>/dev/null)"
    while read -r type memory opts; do
        [[ $type == cgroup && $memory == no ]] || continue
        for o in ${opts//,/ }; do
            [[ $known == *" $o "* && $o == "$real"* ]] || continue
            [[ ,$prefix == *",$o,"* ]] && continue
            COMPREPLY+=("$prefix$o")
        done
    done < <("$mc_bin" "${mc_global[@]}" mounts -r -n -o TYPE,MEMORY,OPTIONS 2>/dev/null)
    compopt -o nospace 2>/dev/null
}

# Values named in an option's description: "...: a, b, c (default) or d".
_memcg_listed_values()
{
    [[ $1 == *:* ]] || return
    printf '%s\n' "${1#*:}" | sed 's/([^)]*)//g; s/ or /,/g' | tr ', ' '\n\n' |
        grep -E '^[a-z][-a-z0-9]*$'
}

_memcg_pids()
{
    local p
    local -a pids=()
    for p in "$mc_sysroot"/proc/[0-9]*; do
        [[ -d $p ]] || continue
        p=${p##*/}
        [[ " ${mc_operands[*]} " == *" $p "* ]] || pids+=("$p")
    done
    COMPREPLY+=($(compgen -W "${pids[*]}" -- "$1"))
}

# Complete the value of option $1 (from the help table in $2).
_memcg_optarg()
{
    local opt=$1 help=$2 cur=$3 tag s l a d
    while IFS=$'\037' read -r tag s l a d; do
        [[ $tag == O && -n $a && ( $opt == "$s" || $opt == "$l" ) ]] && break
        a=
    done <<<"$help"
    case $a in
        '') ;;
        DEST | SRC | CGROUP) _memcg_cgroups "$cur" ;;
        LIST | COLUMNS)
            if [[ $l == --also ]]; then
                _memcg_controllers "$cur"
            elif [[ -n $mc_cmd ]]; then
                _memcg_columns "$cur"
            fi
            ;;
        DIR) _filedir -d ;;
        FILE | REPORT) _filedir ;;
        PATH)
            if [[ $l == --mount ]]; then
                _memcg_mounts "$cur"
            else
                _filedir
            fi
            ;;
        *) COMPREPLY=($(compgen -W "$(_memcg_listed_values "$d")" -- "$cur")) ;;
    esac
}

# Whether option $1 takes an argument, per the help table in $2.
_memcg_takes_arg()
{
    local opt=$1 tag s l a d
    while IFS=$'\037' read -r tag s l a d; do
        [[ $tag == O && ( $opt == "$s" || $opt == "$l" ) ]] && [[ -n $a ]] &&
            return 0
    done <<<"$2"
    return 1
}

# Complete operand number $1 from the usage line in the help table $2.
_memcg_operand()
{
    local n=$1 help=$2 cur=$3 usage= alt chosen= tok spec skip=
    local -a alts=() toks=() specs=()
    while IFS= read -r tok; do
        [[ $tok == U$'\037'* ]] && usage=${tok#U$'\037'}
    done <<<"$help"
    # alternatives are separated by " | "; one that names an option given on
    # the command line wins, else the first
    while [[ -n $usage ]]; do
        alts+=("${usage%% | *}")
        if [[ $usage == *" | "* ]]; then
            usage=${usage#* | }
        else
            usage=
        fi
    done
    for alt in "${alts[@]}"; do
        read -ra toks <<<"$alt"
        for tok in "${toks[@]}"; do
            [[ $tok == -* && " ${mc_given[*]} " == *" $tok "* ]] && chosen=$alt
        done
    done
    [[ -n $chosen ]] || chosen=${alts[0]-}
    read -ra toks <<<"$chosen"
    for tok in "${toks[@]}"; do
        if [[ -n $skip ]]; then
            skip=
            continue
        fi
        case $tok in
            '[OPTIONS]' | '[--]') ;;
            -*) _memcg_takes_arg "$tok" "$help" && skip=1 ;;
            *) specs+=("$tok") ;;
        esac
    done
    if ((n < ${#specs[@]})); then
        spec=${specs[n]}
    elif ((${#specs[@]})) && [[ ${specs[-1]} == *... || ${specs[-1]} == *...] ]]; then
        spec=${specs[-1]}
    else
        return
    fi
    spec=${spec#[}
    spec=${spec%]}
    spec=${spec%...}
    case $spec in
        DEST | SRC | CGROUP) _memcg_cgroups "$cur" ;;
        PID) _memcg_pids "$cur" ;;
        COMMAND) COMPREPLY=($(compgen -c -- "$cur")) ;;
        ARGS) _filedir ;;
        *"|"*) COMPREPLY=($(compgen -W "${spec//|/ }" -- "$cur")) ;;
    esac
}

_memcg()
{
    local cur prev words cword split
    _init_completion -s -n : || return

    local mc_bin=$1 mc_cmd= mc_sysroot= top help cmdhelp w i expect=
    local -a mc_global=() mc_operands=() mc_given=()
    [[ $mc_bin == "~/"* ]] && mc_bin=$HOME/${mc_bin#"~/"}
    top=$(_memcg_help "$mc_bin")
    help=$top

    # Walk the words before the cursor: global options, the command, its
    # options and operands. expect names an option whose argument is next.
    local dashdash=
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if [[ -n $expect ]]; then
            case $expect in
                --sysroot) mc_sysroot=$w ;;
                --mount) mc_global+=(--mount "$w") ;;
            esac
            expect=
            continue
        fi
        if [[ -z $dashdash && $w == -?* ]]; then
            [[ $w == -- ]] && { dashdash=1; continue; }
            mc_given+=("$(_memcg_canon "${w%%=*}" "$help")")
            case $w in
                --sysroot=*) mc_sysroot=${w#*=} ;;
                --mount=*) mc_global+=(--mount "${w#*=}") ;;
                --*=*) ;;
                --*) _memcg_takes_arg "$w" "$help" && expect=$w ;;
                *)
                    # a cluster of short options: the first that takes an
                    # argument takes the rest of the word, or the next word
                    local k o
                    for ((k = 1; k < ${#w}; k++)); do
                        o=-${w:k:1}
                        mc_given+=("$(_memcg_canon "$o" "$help")")
                        if _memcg_takes_arg "$o" "$help"; then
                            ((k == ${#w} - 1)) && expect=$o
                            break
                        fi
                    done
                    ;;
            esac
            continue
        fi
        if [[ -z $mc_cmd ]]; then
            mc_cmd=$w
            cmdhelp=$(_memcg_help "$mc_bin" "$mc_cmd")
            help=$cmdhelp
            dashdash=
        else
            mc_operands+=("$w")
        fi
    done
    [[ $mc_sysroot == "~/"* ]] && mc_sysroot=$HOME/${mc_sysroot#"~/"}
    [[ -n $mc_sysroot ]] && mc_global+=(--sysroot "$mc_sysroot")

    COMPREPLY=()
    if [[ $split == true ]]; then
        _memcg_optarg "$prev" "$help" "$cur"
    elif [[ -n $expect ]]; then
        _memcg_optarg "$expect" "$help" "$cur"
    elif [[ -z $dashdash && $cur == -* ]]; then
        local tag s l a d
        local -a opts=()
        while IFS=$'\037' read -r tag s l a d; do
            [[ $tag == O ]] || continue
            [[ -n $l ]] && opts+=("$l")
            # short options only when one is being typed
            [[ -n $s && ( -z $l || $cur == -[!-] ) ]] && opts+=("$s")
        done <<<"$help"
        COMPREPLY=($(compgen -W "${opts[*]}" -- "$cur"))
    elif [[ -z $mc_cmd ]]; then
        COMPREPLY=($(compgen -W "$("$mc_bin" --list-commands 2>/dev/null)" -- "$cur"))
    else
        _memcg_operand "${#mc_operands[@]}" "$help" "$cur"
    fi
    __ltrim_colon_completions "$cur"
} &&
    complete -F _memcg memcg

# ex: filetype=sh
