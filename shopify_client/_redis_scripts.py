"""The Lua scripts of :mod:`._redis_pacing`: every read-modify-write of the shared
bucket model is one of them, run atomically by Redis.

The model is :class:`._pacing.QueryCostLimiter`'s, moved into Redis, with the
server's clock (``TIME``) so that machines whose clocks differ agree:

``KEYS[1]`` (a hash, the bucket): ``av`` points available at ``at`` (seconds),
``max`` and ``rate`` (the bucket's maximum and restore rate, from answers),
``ifc`` / ``ifn`` (cost and number of calls in flight), ``grants`` (tickets granted
so far), ``blind`` (1: answers carry no cost figures).

``KEYS[5]`` (a sorted set, RESERVE only): the limiters (processes) that reserved in
the last minute: how many share the bucket, for a fallback to pace on its share.

``KEYS[2]`` (a sorted set, the calls in flight): member the ticket id, score the
lease's end; ``KEYS[6]`` (a hash): ticket id -> the points it reserved. A lease past
its end (its process died, or the call outlived it) is dropped, its cost counted as
spent, as Shopify counted it. Settling is idempotent: a ticket settled twice (a
settle sent again after a timeout that Redis ran after all) counts once.

``KEYS[3]`` (a hash, the learned costs of one skeleton: see ``._costs``): field the
sizes, ``"3,100"``, value the requested cost. ``KEYS[4]`` (a hash): operation name
-> the largest cost learned for it.

Every key's time to live is reset when a script writes it: unused, they expire.
RESERVE and SETTLE take their arguments as one string (``ARGV[1]``), the fields
separated by ``\x1f`` (fewer values for the client to encode: each call runs two).
"""

from __future__ import annotations

__all__ = [
    "RESERVE",
    "SETTLE",
    "SLOT_ACQUIRE",
    "SLOT_COUNT",
    "SLOT_LIST",
    "SLOT_RELEASE",
    "SLOT_RENAME",
    "SLOT_RENEW",
]

# Shared head: the clock, the bucket, leases past their end dropped, the refill.
_HEAD = """
local A, text, from = {}, ARGV[1], 1
while true do
  local at = string.find(text, '\\31', from, true)
  if at == nil then A[#A + 1] = string.sub(text, from) break end
  A[#A + 1] = string.sub(text, from, at - 1)
  from = at + 1
end
local ttl = tonumber(A[1])
-- the last field: 1 for the chores (leases past their end, times to live, the
-- limiters' count), which each limiter asks at most once a second
local chores = A[#A] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'av', 'max', 'rate', 'at', 'ifc', 'ifn', 'grants', 'blind')
local av, mx, rate, at = tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tonumber(b[4])
local ifc, ifn, grants = tonumber(b[5]) or 0, tonumber(b[6]) or 0, tonumber(b[7]) or 0
local blind = b[8] == '1'
local expired = chores and redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now) or {}
if #expired > 0 then
  for _, member in ipairs(expired) do
    ifn = ifn - 1
    ifc = ifc - (tonumber(redis.call('HGET', KEYS[6], member)) or 0)
    redis.call('HDEL', KEYS[6], member)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
end
local function tidy()
  if ifn <= 0 or ifc < 0 then ifc = 0 end
  if ifn < 0 then ifn = 0 end
end
local function refill()
  if av == nil or rate == nil or rate <= 0 then return end
  local r = av + math.max(0, now - (at or now)) * rate
  if mx ~= nil then r = math.min(r, mx - ifc) end
  av, at = r, now
end
local function save()
  local fields = {'ifc', tostring(ifc), 'ifn', tostring(ifn), 'grants', tostring(grants),
                  'blind', blind and '1' or '0'}
  if av ~= nil then
    for _, v in ipairs({'av', tostring(av), 'max', tostring(mx), 'rate', tostring(rate),
                        'at', tostring(at or now)}) do
      fields[#fields + 1] = v
    end
  end
  redis.call('HSET', KEYS[1], unpack(fields))
  if chores then
    for _, i in ipairs({1, 2, 6}) do redis.call('EXPIRE', KEYS[i], ttl) end
  end
end
local function sizes_of(text)
  local out = {}
  for part in string.gmatch(text, '[^,]+') do out[#out + 1] = tonumber(part) end
  return out
end
"""

#: KEYS[5] (a sorted set): the limiters that reserved lately, by when. ARGV: ttl,
#: has_key (0/1), sizes, operation, ticket id, lease seconds, margin, most a query
#: may cost, the limiter's id, seconds a limiter counts as a peer, chores (0/1).
#: Returns one string of seven
#: figures separated by spaces (one bulk reply: less for the client to parse than an
#: array): granted (0/1), wait (seconds, -1: only an answer can help), grant number,
#: shared (0/1), cost (-1: not counted), alone (0/1), how many limiters reserved lately.
RESERVE = (
    _HEAD
    + """
tidy()
local has_key, sizes, operation = A[2] == '1', A[3], A[4]
local id, lease, margin, most = A[5], tonumber(A[6]), tonumber(A[7]), tonumber(A[8])
if chores then
  redis.call('ZADD', KEYS[5], now, A[9])
  redis.call('EXPIRE', KEYS[5], ttl)
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(A[10]))
  redis.call('EXPIRE', KEYS[3], ttl)
end
-- every call: a limiter that just started is counted by the others at once
local peers = redis.call('ZCARD', KEYS[5])
local function grant(cost, alone)
  local shared = ifn > 0 and 1 or 0
  ifn = ifn + 1
  grants = grants + 1
  local counted = 0
  if cost ~= nil and av ~= nil then
    av = av - cost
    ifc = ifc + cost
    counted = cost
  end
  redis.call('ZADD', KEYS[2], now + lease, id)
  redis.call('HSET', KEYS[6], id, tostring(counted))
  save()
  return '1 0 ' .. grants .. ' ' .. shared .. ' ' .. tostring(cost or -1) .. ' '
    .. (alone and 1 or 0) .. ' ' .. peers
end
if av == nil or mx == nil or rate == nil then
  if blind then return grant(nil, false) end
  if ifn > 0 then save() return '0 -1 0 0 -1 0 ' .. peers end
  return grant(nil, true)
end
refill()
local cost = nil
if has_key then
  cost = tonumber(redis.call('HGET', KEYS[3], sizes))
  if cost == nil then
    local mine = sizes_of(sizes)
    local known = redis.call('HGETALL', KEYS[3])
    for i = 1, #known, 2 do
      local theirs = sizes_of(known[i])
      local c = tonumber(known[i + 1])
      if #theirs == #mine and c ~= nil and (cost == nil or c < cost) then
        local covers = true
        for j = 1, #mine do
          if theirs[j] < mine[j] then covers = false break end
        end
        if covers then cost = c end
      end
    end
  end
end
if cost == nil then
  cost = math.max(most, tonumber(redis.call('HGET', KEYS[4], operation)) or 0)
end
cost = math.min(cost, mx)
local needed = math.min(cost + margin, mx)
if needed > mx - ifc then save() return '0 -1 0 0 -1 0 ' .. peers end
if av >= needed then return grant(cost, false) end
save()
return '0 ' .. tostring((needed - av) / rate) .. ' 0 0 -1 0 ' .. peers
"""
)

#: ARGV: ttl, ticket id, ticket cost (unused: Redis keeps it), sent (0/1),
#: answered (0/1), requested (-1: none), has_key (0/1), sizes, operation, reading
#: (current, maximum, rate; -1: none believable), actual (-1: none), grant number,
#: shared (0/1), most sizes per skeleton, most operations, chores (0/1). Returns the bucket's
#: points available after (-1: unknown).
SETTLE = (
    _HEAD
    + """
local member, cost = A[2], nil
local sent, answered = A[4] == '1', A[5] == '1'
local requested, has_key, sizes, operation = tonumber(A[6]), A[7] == '1', A[8], A[9]
local current, maximum, restore = tonumber(A[10]), tonumber(A[11]), tonumber(A[12])
local actual, grant, shared = tonumber(A[13]), tonumber(A[14]), A[15] == '1'
local most_sizes, most_ops = tonumber(A[16]), tonumber(A[17])
if redis.call('ZREM', KEYS[2], member) == 1 then
  -- a ticket of this Redis (not one granted before it restarted, nor settled already)
  ifn = ifn - 1
  cost = tonumber(redis.call('HGET', KEYS[6], member))
  redis.call('HDEL', KEYS[6], member)
  if cost ~= nil and cost > 0 then
    ifc = ifc - cost
    if not sent and av ~= nil then av = av + cost end
  else
    cost = nil
  end
  tidy()
else
  tidy()
  shared = true  -- granted before a restart: its reading is as old as any
end
if requested >= 0 then
  if has_key then
    local known = redis.call('HGET', KEYS[3], sizes)
    if tonumber(known) ~= requested then  -- the usual case, the same cost again, writes nothing
      if known == false and redis.call('HLEN', KEYS[3]) >= most_sizes then
        redis.call('DEL', KEYS[3])
      end
      redis.call('HSET', KEYS[3], sizes, tostring(requested))
      redis.call('EXPIRE', KEYS[3], ttl)
    elseif chores then
      redis.call('EXPIRE', KEYS[3], ttl)
    end
  end
  local old = tonumber(redis.call('HGET', KEYS[4], operation))
  if (old == nil and redis.call('HLEN', KEYS[4]) < most_ops)
      or (old ~= nil and requested > old) then
    redis.call('HSET', KEYS[4], operation, tostring(requested))
    redis.call('EXPIRE', KEYS[4], ttl)
  elseif chores then
    redis.call('EXPIRE', KEYS[4], ttl)
  end
end
if current < 0 then
  if answered and av == nil and not blind then blind = true end
  save()
  return '-1'
end
blind = false
rate, mx = restore, maximum
local reported = current - ifc
local alone = (not shared) and grant == grants
if av == nil or alone then
  av, at = reported, now
else
  refill()
  if cost ~= nil and actual >= 0 and actual < cost then av = av + cost - actual end
  if reported < av then av = reported end
end
save()
return tostring(av)
"""
)

#: Bulk-operation slots. KEYS[1]: a sorted set, member the holder, score its
#: lease's end. ARGV: ttl, holder, limit, lease seconds. Returns 1 (a slot is
#: the holder's, its lease renewed) or 0 (all taken).
SLOT_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local holder, limit, lease = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('ZSCORE', KEYS[1], holder) == false and redis.call('ZCARD', KEYS[1]) >= limit then
  return 0
end
redis.call('ZADD', KEYS[1], now + lease, holder)
redis.call('EXPIRE', KEYS[1], math.max(tonumber(ARGV[1]), math.ceil(lease)))
return 1
"""

#: KEYS[1]: the slots. ARGV: holder. Returns 1 if it held a slot.
SLOT_RELEASE = """
return redis.call('ZREM', KEYS[1], ARGV[1])
"""

_SLOT_HEAD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
"""

#: KEYS[1]: the slots. Returns how many are held (leases not ended).
SLOT_COUNT = (
    _SLOT_HEAD
    + """
return redis.call('ZCARD', KEYS[1])
"""
)

#: KEYS[1]: the slots. ARGV: holder, lease seconds. Returns 1 if the holder still
#: held a slot (its lease renewed), 0 if its lease had ended.
SLOT_RENEW = (
    _SLOT_HEAD
    + """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
"""
)

#: KEYS[1]: the slots. ARGV: holder, new name (the operation's id), lease seconds.
#: Returns 1 if the slot was renamed, 0 if its lease had ended.
SLOT_RENAME = (
    _SLOT_HEAD
    + """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
return 1
"""
)

#: KEYS[1]: the slots. Returns the holders (leases not ended), oldest lease first.
SLOT_LIST = (
    _SLOT_HEAD
    + """
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""
)
