#!/usr/bin/env escript
%%! -hidden
%% The checker of tests/ssh-erlang.sh, run by `nodemux exec` once a
%% cluster spread over several hosts is ready: from a hidden node of its
%% own (on the address given as its argument) it proves that every node
%% sees all the others, and that the epmd of each node's own host has it
%% on its own DIST_PORT.  One line per fact; exits 0 only if all hold.

main([Self]) ->
    Nodes = [list_to_atom(N) || N <- env_list("CLUSTER_NODES")],
    Ports = [list_to_integer(P) || P <- env_list("NODEMUX_DIST_PORTS")],
    {ok, _} = net_kernel:start([list_to_atom("ssh_checker@" ++ Self),
                                longnames]),
    erlang:set_cookie(node(), list_to_atom(os:getenv("NODEMUX_COOKIE"))),
    Results = [sees_all(N, Nodes) || N <- Nodes] ++
        [epmd_port(N, P) || {N, P} <- lists:zip(Nodes, Ports)],
    case lists:all(fun(R) -> R end, Results) of
        true -> io:format("checker: all ~b nodes meshed~n", [length(Nodes)]),
                halt(0);
        false -> halt(1)
    end.

env_list(Var) ->
    string:lexemes(os:getenv(Var, ""), ",").

%% Node N's nodes() is exactly every other node of the cluster.
sees_all(N, Nodes) ->
    Want = lists:sort(Nodes -- [N]),
    case rpc:call(N, erlang, nodes, [], 5000) of
        Seen when is_list(Seen) ->
            report(lists:sort(Seen) =:= Want, "~s sees ~w", [N, lists:sort(Seen)]);
        Bad ->
            report(false, "~s: rpc failed: ~p", [N, Bad])
    end.

%% The epmd of N's host lists N's short name with port P.
epmd_port(N, P) ->
    [Short, Host] = string:split(atom_to_list(N), "@"),
    {ok, Names} = net_adm:names(Host),
    Got = proplists:get_value(Short, Names),
    report(Got =:= P, "~s listens on dist port ~p on ~s (epmd: ~p)",
           [N, P, Host, Got]).

report(Ok, Fmt, Args) ->
    io:format("~s: " ++ Fmt ++ "~n",
              [case Ok of true -> "ok"; false -> "FAIL" end | Args]),
    Ok.
