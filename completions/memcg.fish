# fish completion for memcg(8)
#
# Nothing here is a copied list: commands, options, option arguments, operand
# kinds and column names are asked of memcg itself at completion time
# (--list-commands, --help, COMMAND --help, COMMAND --list-columns, mounts),
# cgroups are the directories of the memory hierarchy memcg uses, and PIDs
# come from /proc. Only read-only memcg commands are run.

# Parse "memcg [COMMAND] --help" into lines of fields separated by \037:
#   U <usage after the program name>
#   O <short> <long> <argument name> <description>
#   C <command> <summary>            (the Commands: list of memcg --help)
function __memcg_help
    $argv --help 2>/dev/null | awk '
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
        /^Commands:/ { flush(); commands = 1; next }
        commands && indent > 0 && indent < 9 {
            name = $1
            sub(/^ *[^ ]+ +/, "")
            print "C\037" name "\037" $0
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
        { flush(); commands = 0 }
        END { flush() }'
end

# __memcg_opt FIELD OPTION HELP-LINES...: the long name (or the short one
# when it has none), the argument name or the description of OPTION.
function __memcg_opt -a field opt
    for line in $argv[3..-1]
        set -l f (string split \037 -- $line)
        test "$f[1]" = O; or continue
        if test "$opt" = "$f[2]"; or test "$opt" = "$f[3]"
            switch $field
                case long
                    if test -n "$f[3]"
                        echo $f[3]
                    else
                        echo $f[2]
                    end
                case arg
                    echo $f[4]
                case desc
                    echo $f[5]
            end
            return 0
        end
    end
    return 1
end

# Whether OPTION takes an argument, per the help lines.
function __memcg_takes_arg -a opt
    test -n "$(__memcg_opt arg $opt $argv[2..-1])"
end

# libsmartcols raw output escapes spaces and unusual bytes as \xHH.
function __memcg_unraw
    printf '%b' $argv[1]
end

# The memory hierarchy memcg uses: its mount point and root, one a line.
function __memcg_hierarchy -a mc_bin
    $mc_bin $argv[2..-1] mounts -r -n -o USED,TARGET,ROOT 2>/dev/null |
        while read -l used target root
            if test "$used" = yes
                __memcg_unraw $target
                echo
                __memcg_unraw $root
                echo
                return 0
            end
        end
end

# Subdirectories of $1 whose names start with $2, as "$3<name>/".
function __memcg_subdirs -a dir base pfx
    for d in $dir$base*/
        test -d $d; or continue
        printf '%s%s\n' "$pfx" (string replace -- $dir '' $d)
    end
end

# Complete a cgroup name: a hierarchy path, a filesystem path under the mount
# point, or memory:/path. $1 the word, $2 memcg, $3 the sysroot, then the
# global options for memcg.
function __memcg_cgroups -a cur mc_bin mc_sysroot
    set -l h (__memcg_hierarchy $mc_bin $argv[4..-1])
    test (count $h) -eq 2; or return
    set -l target $h[1]
    set -l root $h[2]
    set -l fsroot $mc_sysroot$target
    test "$target" = /; and set fsroot $mc_sysroot
    set -l pfx

    if string match -q -- 'memory:*' "$cur"
        set pfx memory:
        set cur (string replace 'memory:' '' -- $cur)
    else if test "$target" != /; and begin
            test "$cur" = "$target"; or string match -q -- "$target/*" "$cur"
        end
        # a filesystem path: directories below the mount point
        test "$cur" = "$target"; and set cur $cur/
        set -l dirpart (string replace -r '[^/]*$' '' -- $cur)
        set -l base (string replace -r '.*/' '' -- $cur)
        __memcg_subdirs "$mc_sysroot$dirpart" "$base" "$dirpart"
        return
    else
        test -n "$cur"; and string match -q -- "$cur*" memory:; and echo memory:/
        if string match -q -- '/?*' "$cur"; and test "$target" != /; and string match -q -- "$cur*" "$target/"
            echo "$target/"
        end
    end

    # a hierarchy path, with or without its leading slash
    set -l hp $cur
    string match -q -- '/*' "$hp"; or set hp "/$hp"
    set -l dirpart (string replace -r '[^/]*$' '' -- $hp)
    set -l base (string replace -r '.*/' '' -- $hp)
    set -l rel
    if test "$root" = /
        test -z "$cur"; and echo "$pfx/"
        set rel $dirpart
    else if string match -q -- "$root/*" "$dirpart"
        # paths lie under the mount's root
        set rel (string replace -- "$root" '' "$dirpart")
    else
        string match -q -- "$hp*" "$root/"; and echo "$pfx$root/"
        return
    end
    if test -n "$cur"; and not string match -q -- '/*' "$cur"; and test -z "$pfx"
        set dirpart (string replace -r '^/' '' -- "$dirpart")
    end
    __memcg_subdirs "$fsroot$rel" "$base" "$pfx$dirpart"
end

# Mount points of v1 memory hierarchies, for --mount.
function __memcg_mounts -a mc_bin mc_sysroot
    set -l sys
    test -n "$mc_sysroot"; and set sys --sysroot $mc_sysroot
    $mc_bin $sys mounts -r -n -o TYPE,MEMORY,TARGET 2>/dev/null |
        while read -l type memory target
            if test "$type" = cgroup; and test "$memory" = yes
                __memcg_unraw $target
                echo
            end
        end
end

# Column names for -o: a comma-separated list, optionally starting with +,
# in lower case when lower case is being typed. $1 the word (after any
# --output=), $2 memcg, $3 the command.
function __memcg_columns -a cur mc_bin mc_cmd
    set -l real (string replace -r '.*,' '' -- "$cur")
    set -l prefix (string sub -l (math (string length -- "$cur") - (string length -- "$real")) -- "$cur")
    if test -z "$prefix"; and string match -q -- '+*' "$real"
        set prefix +
        set real (string sub -s 2 -- $real)
    end
    set -l given ",$(string upper -- "$prefix"),"
    $mc_bin $mc_cmd --list-columns --raw --noheadings 2>/dev/null |
        while read -l col desc
            test -n "$col"; or continue
            string match -qr -- "[,+]$col," "$given"; and continue
            if test -n "$real"; and test "$real" = (string lower -- $real)
                set col (string lower -- $col)
            end
            printf '%s%s,\t%s\n' "$prefix" $col "$(__memcg_unraw "$desc")"
        end
end

# Controllers for --also LIST: a comma-separated list of the v1 hierarchies
# other than the memory one, as memcg mounts shows their super options (the
# tokens /proc/cgroups names as controllers), or "*" for all of them.
function __memcg_controllers -a cur mc_bin mc_sysroot
    set -l real (string replace -r '.*,' '' -- "$cur")
    set -l prefix (string sub -l (math (string length -- "$cur") - (string length -- "$real")) -- "$cur")
    test -z "$prefix"; and echo '*'
    set -l known (awk '!/^#/ { print $1 }' $mc_sysroot/proc/cgroups 2>/dev/null)
    $mc_bin $argv[4..-1] mounts -r -n -o TYPE,MEMORY,OPTIONS 2>/dev/null |
        while read -l type memory opts
            test "$type" = cgroup; and test "$memory" = no; or continue
            for o in (string split , -- $opts)
                contains -- $o $known; or continue
                contains -- $o (string split , -- "$prefix"); and continue
                echo "$prefix$o"
            end
        end
end

# Values named in an option's description: "...: a, b, c (default) or d".
function __memcg_listed_values -a desc
    string match -q -- '*:*' $desc; or return
    string replace -r '^[^:]*:' '' -- $desc | string replace -ar '\([^)]*\)' '' |
        string replace -a ' or ' , | string split , | string trim |
        string match -r '^[a-z][-a-z0-9]*$'
end

# PIDs from /proc but those already given, with their command names (one
# grep reads them all: there may be thousands).
function __memcg_pids -a mc_sysroot
    set -l pids
    for p in $mc_sysroot/proc/*/
        set -l pid (string split / -- $p)[-2]
        string match -qr '^[0-9]+$' -- $pid; or continue
        contains -- $pid $argv[2..-1]; or set -a pids $pid
    end
    test (count $pids) -gt 0; or return
    begin
        printf 'P %s\n' $pids
        grep -s -H '' "$mc_sysroot/proc/"$pids/comm
    end | awk '
        $1 == "P" && NF == 2 { order[++n] = $2; next }
        {
            i = index($0, "/comm:")
            p = substr($0, 1, i - 1)
            sub(/.*\//, "", p)
            comm[p] = substr($0, i + 6)
        }
        END { for (k = 1; k <= n; k++) printf "%s\t%s\n", order[k], comm[order[k]] }'
end

# Complete the value of option $1 for the word $2 (what follows any =).
function __memcg_optarg -a opt cur mc_bin mc_cmd mc_sysroot
    set -l help $__memcg_helplines
    set -l l (__memcg_opt long $opt $help)
    switch "$(__memcg_opt arg $opt $help)"
        case ''
        case DEST SRC CGROUP
            __memcg_cgroups "$cur" $mc_bin "$mc_sysroot" $__memcg_global
        case LIST COLUMNS
            if test "$l" = --also
                __memcg_controllers "$cur" $mc_bin "$mc_sysroot" $__memcg_global
            else if test -n "$mc_cmd"
                __memcg_columns "$cur" $mc_bin $mc_cmd
            end
        case DIR
            __fish_complete_directories "$cur"
        case PATH
            if test "$l" = --mount
                __memcg_mounts $mc_bin "$mc_sysroot"
            else
                __fish_complete_path "$cur"
            end
        case '*'
            __memcg_listed_values "$(__memcg_opt desc $opt $help)"
    end
end

# Complete operand number $1 from the usage line.
function __memcg_operand -a n cur mc_bin mc_cmd mc_sysroot
    set -l help $__memcg_helplines
    set -l usage (string match -r '^U\037.*' -- $help | string sub -s 3)
    # alternatives are separated by " | "; one that names an option given on
    # the command line wins, else the first
    set -l alts (string split ' | ' -- $usage)
    set -l chosen
    for alt in $alts
        for tok in (string split ' ' -- $alt)
            string match -q -- '-*' $tok; and contains -- $tok $__memcg_given; and set chosen $alt
        end
    end
    test -n "$chosen"; or set chosen $alts[1]
    set -l specs
    set -l skip
    for tok in (string split ' ' -- $chosen)
        if test -n "$skip"
            set skip
            continue
        end
        switch $tok
            case '[OPTIONS]' '[--]'
            case '-*'
                __memcg_takes_arg $tok $help; and set skip 1
            case '*'
                set -a specs $tok
        end
    end
    set -l spec
    if test $n -lt (count $specs)
        set spec $specs[(math $n + 1)]
    else if test (count $specs) -gt 0; and string match -q -r '\.\.\.\]?$' -- $specs[-1]
        set spec $specs[-1]
    else
        return
    end
    set spec (string replace -r '^\[' '' -- $spec | string replace -r '\]$' '' | string replace -r '\.\.\.$' '')
    switch $spec
        case DEST SRC CGROUP
            __memcg_cgroups "$cur" $mc_bin "$mc_sysroot" $__memcg_global
        case PID
            __memcg_pids "$mc_sysroot" $__memcg_operands
        case COMMAND
            # help's COMMAND is one of memcg's; exec's, any program
            if test "$mc_cmd" = help
                __memcg_commands $mc_bin
            else
                __fish_complete_command
            end
        case ARGS
            __fish_complete_path "$cur"
        case '*|*'
            string split '|' -- $spec
    end
end

function __memcg_commands -a mc_bin
    set -l summaries (__memcg_help $mc_bin | string match -r '^C\037.*')
    for c in ($mc_bin --list-commands 2>/dev/null)
        set -l s (string match -r "^C\037$c\037.*" -- $summaries | string split \037)
        printf '%s\t%s\n' $c "$s[3]"
    end
end

function __memcg_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l mc_bin $tokens[1]
    string match -q -- '~/*' $mc_bin; and set mc_bin $HOME/(string sub -s 3 -- $mc_bin)
    set -l mc_cmd
    set -l mc_sysroot
    set -l expect
    set -l dashdash
    # shared with the functions above
    set -g __memcg_helplines (__memcg_help $mc_bin)
    set -g __memcg_global
    set -g __memcg_operands
    set -g __memcg_given

    # Walk the words before the cursor: global options, the command, its
    # options and operands. expect names an option whose argument is next.
    for w in $tokens[2..-1]
        set -l help $__memcg_helplines
        if test -n "$expect"
            switch (__memcg_opt long $expect $help)
                case --sysroot
                    set mc_sysroot $w
                case --mount
                    set -a __memcg_global --mount $w
            end
            set expect
            continue
        end
        if test -z "$dashdash"; and string match -q -- '-?*' $w
            if test "$w" = --
                set dashdash 1
                continue
            end
            set -l name (string replace -r '=.*' '' -- $w)
            set -a __memcg_given (__memcg_opt long $name $help; or echo $name)
            switch $w
                case '--sysroot=*'
                    set mc_sysroot (string replace -r '^[^=]*=' '' -- $w)
                case '--mount=*'
                    set -a __memcg_global --mount (string replace -r '^[^=]*=' '' -- $w)
                case '--*=*'
                case '--*'
                    __memcg_takes_arg $w $help; and set expect $w
                case '*'
                    # a cluster of short options: the first that takes an
                    # argument takes the rest of the word, or the next word
                    set -l chars (string split '' -- (string sub -s 2 -- $w))
                    for k in (seq (count $chars))
                        set -l o -$chars[$k]
                        set -a __memcg_given (__memcg_opt long $o $help; or echo $o)
                        if __memcg_takes_arg $o $help
                            test $k -eq (count $chars); and set expect $o
                            break
                        end
                    end
            end
            continue
        end
        if test -z "$mc_cmd"
            set mc_cmd $w
            set -g __memcg_helplines (__memcg_help $mc_bin $mc_cmd)
            set dashdash
        else
            set -a __memcg_operands $w
        end
    end
    string match -q -- '~/*' $mc_sysroot; and set mc_sysroot $HOME/(string sub -s 3 -- $mc_sysroot)
    test -n "$mc_sysroot"; and set -a __memcg_global --sysroot $mc_sysroot

    if test -n "$expect"
        __memcg_optarg $expect "$cur" $mc_bin "$mc_cmd" "$mc_sysroot"
    else if test -z "$dashdash"; and string match -q -- '--*=*' $cur
        set -l opt (string replace -r '=.*' '' -- $cur)
        set -l val (string replace -r '^[^=]*=' '' -- $cur)
        __memcg_optarg $opt "$val" $mc_bin "$mc_cmd" "$mc_sysroot" | string replace -r -- '^' "$opt="
    else if test -z "$dashdash"; and string match -q -- '-*' $cur
        for line in $__memcg_helplines
            set -l f (string split \037 -- $line)
            test "$f[1]" = O; or continue
            test -n "$f[3]"; and printf '%s\t%s\n' $f[3] "$f[5]"
            # short options only when one is being typed
            if test -n "$f[2]"; and begin
                    test -z "$f[3]"; or string match -qr -- '^-[^-]' $cur
                end
                printf '%s\t%s\n' $f[2] "$f[5]"
            end
        end
    else if test -z "$mc_cmd"
        __memcg_commands $mc_bin
    else
        __memcg_operand (count $__memcg_operands) "$cur" $mc_bin "$mc_cmd" "$mc_sysroot"
    end
    set -e __memcg_helplines __memcg_global __memcg_operands __memcg_given
end

complete -c memcg -f -a '(__memcg_complete)'
