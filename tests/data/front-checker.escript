#!/usr/bin/env escript
%%! -hidden
%% The checker of tests/erlang.sh, run by `nodemux exec` once the cluster
%% is ready: from a hidden node of its own it proves that every node sees
%% all the others (rpc to erlang:nodes/0) and that epmd has each node on
%% its own DIST_PORT.  With CHECK_APP set (tests/mix.sh), also that every
%% node runs that application with PORT set to its HTTP port.  Prints one
%% line per fact; exits 0 only if all hold.

main(_) ->
    Nodes = [list_to_atom(N) || N <- env_list("CLUSTER_NODES")],
    Ports = [list_to_integer(P) || P <- env_list("NODEMUX_DIST_PORTS")],
    Size = list_to_integer(os:getenv("CLUSTER_SIZE")),
    check(length(Nodes) =:= Size, "CLUSTER_NODES has CLUSTER_SIZE names"),
    check(length(Ports) =:= Size, "NODEMUX_DIST_PORTS has CLUSTER_SIZE ports"),
    [_, Host] = string:split(atom_to_list(hd(Nodes)), "@"),
    {ok, _} = net_kernel:start([list_to_atom("front_checker@" ++ Host),
                                longnames]),
    erlang:set_cookie(node(), list_to_atom(os:getenv("NODEMUX_COOKIE"))),
    Results = [sees_all(N, Nodes) || N <- Nodes] ++ epmd_ports(Host, Nodes, Ports)
        ++ apps(os:getenv("CHECK_APP"), Nodes, env_list("NODEMUX_HTTP_PORTS")),
    case lists:all(fun(R) -> R end, Results) of
        true -> io:format("checker: all ~b nodes meshed~n", [Size]), halt(0);
        false -> halt(1)
    end.

env_list(Var) ->
    string:lexemes(os:getenv(Var, ""), ",").

check(true, What) -> io:format("ok: ~s~n", [What]);
check(false, What) -> io:format("FAIL: ~s~n", [What]), halt(1).

%% Node N's nodes() is exactly every other node of the cluster.
sees_all(N, Nodes) ->
    Want = lists:sort(Nodes -- [N]),
    case rpc:call(N, erlang, nodes, [], 5000) of
        Seen when is_list(Seen) ->
            Got = lists:sort(Seen),
            report(Got =:= Want, "~s sees ~w", [N, Got]);
        Bad ->
            report(false, "~s: rpc failed: ~p", [N, Bad])
    end.

%% epmd on Host lists each node's short name with its DIST_PORT.
epmd_ports(Host, Nodes, Ports) ->
    {ok, Names} = net_adm:names(Host),
    [begin
         [Short, _] = string:split(atom_to_list(N), "@"),
         Got = proplists:get_value(Short, Names),
         report(Got =:= P, "~s listens on dist port ~p (epmd: ~p)", [N, P, Got])
     end || {N, P} <- lists:zip(Nodes, Ports)].

%% Each node runs App, with PORT its HTTP port.
apps(false, _, _) -> [];
apps(App, Nodes, Http) ->
    [begin
         Apps = rpc:call(N, application, which_applications, [], 5000),
         Runs = is_list(Apps) andalso lists:keymember(list_to_atom(App), 1, Apps),
         Port = rpc:call(N, os, getenv, ["PORT"], 5000),
         report(Runs andalso Port =:= P, "~s runs ~s with PORT=~p", [N, App, Port])
     end || {N, P} <- lists:zip(Nodes, Http)].

report(Ok, Fmt, Args) ->
    io:format("~s: " ++ Fmt ++ "~n", [case Ok of true -> "ok"; false -> "FAIL" end | Args]),
    Ok.
