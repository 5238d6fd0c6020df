// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title TestUSDC: a 6-decimal ERC-20 like Circle's USDC, for tests and testnets only.
/// @notice What the pool relies on of USDC, in Solidity: `transfer`/`transferFrom`/
/// `approve` with the standard events, `mint` (open: anyone mints, it is a test
/// token) and Circle's blacklist: a blacklisted account can neither send, receive,
/// approve nor be approved, and a blacklisted `msg.sender` can call none of these
/// (FiatTokenV1 `notBlacklisted`, same revert string).
/// Two test knobs reproduce what a hostile or odd token does, for negative
/// controls: `setMode(1)` makes `transfer`/`transferFrom` return `false`
/// without moving funds (a non-reverting ERC-20), and `setHook(target, data)`
/// arms a one-shot call that the next `transfer`/`transferFrom` makes first
/// (failure ignored, outcome in `hookResult()`: 0 idle, 1 ok, 2 failed).
contract TestUSDC {
    string public constant name = "USD Coin";
    string public constant symbol = "USDC";
    uint8 public constant decimals = 6;

    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    /// Circle's blacklister role (the deployer).
    address public blacklister;
    mapping(address => bool) internal _blacklisted;

    uint8 public mode;
    address internal hookTarget;
    bytes internal hookData;
    uint8 public hookResult;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Blacklisted(address indexed account);
    event UnBlacklisted(address indexed account);
    event BlacklisterChanged(address indexed newBlacklister);

    constructor() {
        blacklister = msg.sender;
    }

    modifier notBlacklisted(address account) {
        require(!_blacklisted[account], "Blacklistable: account is blacklisted");
        _;
    }

    modifier onlyBlacklister() {
        require(msg.sender == blacklister, "Blacklistable: caller is not the blacklister");
        _;
    }

    function isBlacklisted(address account) external view returns (bool) {
        return _blacklisted[account];
    }

    function blacklist(address account) external onlyBlacklister {
        _blacklisted[account] = true;
        emit Blacklisted(account);
    }

    function unBlacklist(address account) external onlyBlacklister {
        _blacklisted[account] = false;
        emit UnBlacklisted(account);
    }

    function updateBlacklister(address newBlacklister) external onlyBlacklister {
        require(newBlacklister != address(0), "Blacklistable: new blacklister is the zero address");
        blacklister = newBlacklister;
        emit BlacklisterChanged(newBlacklister);
    }

    function mint(address to, uint256 amount) external notBlacklisted(msg.sender) notBlacklisted(to) {
        require(to != address(0), "FiatToken: mint to the zero address");
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 value)
        external
        notBlacklisted(msg.sender)
        notBlacklisted(spender)
        returns (bool)
    {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value)
        external
        notBlacklisted(msg.sender)
        notBlacklisted(to)
        returns (bool)
    {
        _runHook();
        if (mode == 1) return false;
        _transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value)
        external
        notBlacklisted(msg.sender)
        notBlacklisted(from)
        notBlacklisted(to)
        returns (bool)
    {
        _runHook();
        if (mode == 1) return false;
        uint256 allowed = allowance[from][msg.sender];
        require(value <= allowed, "ERC20: transfer amount exceeds allowance");
        if (allowed != type(uint256).max) {
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    /// Test knob: 1 = `transfer`/`transferFrom` return false, 0 = normal.
    function setMode(uint8 m) external {
        mode = m;
    }

    /// Test knob: a one-shot call the next `transfer`/`transferFrom` makes first.
    function setHook(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
        hookResult = 0;
    }

    function _runHook() internal {
        address target = hookTarget;
        if (target == address(0)) return;
        bytes memory data = hookData;
        hookTarget = address(0);
        delete hookData;
        (bool ok,) = target.call(data);
        hookResult = ok ? 1 : 2;
    }

    function _transfer(address from, address to, uint256 value) internal {
        require(from != address(0), "ERC20: transfer from the zero address");
        require(to != address(0), "ERC20: transfer to the zero address");
        uint256 balance = balanceOf[from];
        require(value <= balance, "ERC20: transfer amount exceeds balance");
        unchecked {
            balanceOf[from] = balance - value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
